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
COPY web ./web
ENV NODE_ENV=production
# About twice materializer.memory_budget_mb (256) plus 64: see docs/architecture.md, Memory.
ENV NODE_OPTIONS=--max-old-space-size=576
EXPOSE 8080
CMD ["node", "bin/tukang.js", "run"]
