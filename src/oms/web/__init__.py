"""Server-rendered pages: the back office and the customer's pages."""
