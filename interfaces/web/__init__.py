"""The office console (办公台): server-rendered pages in Simplified Chinese at ``/``.

The pages call the same route functions, use cases and read models as the HTTP API
(``interfaces.http``) with a caller taken from a signed-in session instead of a bearer
token; they add no rules of their own.
"""
