"""Web plumbing shared by every domain: the route table, middlewares, errors, body validation,
the OpenAPI document, page rendering, languages and texts, logging and metrics."""
