My answer for the proxy exercise:
the handler should read event["pathParameters"]["userId"] and return it as JSON.
(This file was saved from a text editor and is not Python at all.)
