"""The mentor professor's pages: their students, consultation notes, the academic grade."""
