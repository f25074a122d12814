"""A Flask hello-world: the floor the public pages are compared with (``make bench-scale``)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
