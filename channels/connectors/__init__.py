"""One module per platform turns a platform's payload into ``ItemEvent``s (see ``base``)."""
