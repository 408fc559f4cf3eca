"""Sign-in, sign-out, registration and password changes."""
