"""A bare Flask "hello" app: the ceiling the openings list is compared with (bench/throughput.py)."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "hello"
