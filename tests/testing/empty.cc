// Keeps logbook_testing a valid library before any helper exists.
