"""The conversation record: identities, conversations and messages (`record`), who holds
each conversation (`holder`), and what is kept of a customer who said they are under 13
(`minors`)."""
