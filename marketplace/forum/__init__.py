"""The forum's pages: the general board, threads, replies, edits with history, moderation."""
