FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY test ./test
COPY scripts ./scripts
COPY bench ./bench
RUN npm ci --no-audit --no-fund
COPY bin ./bin
COPY stack ./stack
COPY examples ./examples
COPY openapi ./openapi
COPY web ./web
ENV NODE_ENV=production
# Heap limit about twice materializer.memory_budget_mb (256) plus 64, a small young generation: see docs/architecture.md, Memory.
ENV NODE_OPTIONS="--max-old-space-size=576 --max-semi-space-size=8"
# glibc malloc: fewer arenas, large blocks mapped and returned (docs/architecture.md, Memory).
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072
EXPOSE 8080
CMD ["node", "bin/tukang.js", "run"]
