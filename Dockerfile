# One image for every Revolve process; the command picks the piece (worker, api, migrate).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
ENV NODE_ENV=production
ENTRYPOINT ["/app/bin/revolve"]
CMD ["api"]
