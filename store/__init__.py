"""The plans database: connect and migrate, identity, load, query, diff, export."""
