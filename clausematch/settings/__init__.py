"""Territory settings: the conventions that vary from one guichet clause to another."""
