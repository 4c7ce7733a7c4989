"""French text primitives shared by the anonymiser, the index and the application: folding, sentences,
stop words, placeholders. The lowest floor: it imports nothing of the project."""
