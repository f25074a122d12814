"""The application flow (办件): intake, review, decision, delivery — driven by one transition table."""
