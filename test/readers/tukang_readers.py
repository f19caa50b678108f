"""Connections of the real readers to the test stack's S3 (LocalStack), for the tests' Python snippets.

The settings come from the environment the test command sets: S3_ENDPOINT (http://127.0.0.1:4566),
and AWS_REGION / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when given (LocalStack accepts test/test).
DuckDB cannot download extensions here: they come from the duckdb-extension-* wheels pinned beside
this file, which carry them at exactly duckdb's version.
"""
import importlib
import os
import pathlib
from urllib.parse import urlparse

import duckdb


def s3_settings():
    endpoint = os.environ.get("S3_ENDPOINT", "http://127.0.0.1:4566")
    url = urlparse(endpoint)
    return {
        "endpoint": endpoint,
        "host": url.netloc,
        "use_ssl": url.scheme == "https",
        "region": os.environ.get("AWS_REGION", "us-east-1"),
        "key": os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        "secret": os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
    }


def load_bundled_extension(con, name):
    module = importlib.import_module("duckdb_extension_" + name)
    path = next(pathlib.Path(module.__path__[0]).glob("extensions/*/*.duckdb_extension"))
    con.execute(f"LOAD '{path}'")


def duckdb_connect(extensions=("httpfs",)):
    """A DuckDB connection with the bundled extensions loaded and an S3 secret for the stack."""
    con = duckdb.connect()
    for name in extensions:
        load_bundled_extension(con, name)
    s = s3_settings()
    con.execute(
        "CREATE SECRET tukang_s3 (TYPE s3, KEY_ID ?, SECRET ?, REGION ?, ENDPOINT ?, URL_STYLE 'path', USE_SSL ?)",
        [s["key"], s["secret"], s["region"], s["host"], s["use_ssl"]],
    )
    return con


def pyarrow_s3():
    """A pyarrow S3 filesystem on the stack."""
    from pyarrow import fs

    s = s3_settings()
    return fs.S3FileSystem(
        access_key=s["key"],
        secret_key=s["secret"],
        region=s["region"],
        endpoint_override=s["endpoint"],
        force_virtual_addressing=False,
    )


def polars_storage_options():
    """storage_options for polars.scan_parquet on the stack."""
    s = s3_settings()
    return {
        "aws_endpoint_url": s["endpoint"],
        "aws_access_key_id": s["key"],
        "aws_secret_access_key": s["secret"],
        "aws_region": s["region"],
        "aws_allow_http": "true" if not s["use_ssl"] else "false",
        "aws_virtual_hosted_style_request": "false",
    }
