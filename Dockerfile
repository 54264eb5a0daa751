# The reference server (and the sessionproof CLI) in a container. TypeScript runs through tsx: no build step.
# NODE_ENV stays unset: in production mode the server demands HTTPS and real secrets (see README).
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
EXPOSE 3000
ENTRYPOINT ["node", "bin/sessionproof.js"]
CMD ["serve", "--host", "0.0.0.0", "--store", "redis://redis:6379", "--test-controls"]
