#!/bin/sh
# Runs inside the LocalStack container when it is ready: creates the lake bucket that the local
# stack's config uses, so one config serves both the Docker and the no-Docker stack.
awslocal s3 mb "s3://${TUKANG_BUCKET:-tukang-lake}" 2>/dev/null || true
