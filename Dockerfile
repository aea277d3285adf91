# Signet's one binary in a small image; docker-compose.yml runs it as
# keys init, migrate, worker and api.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /signet ./cmd/signet
# Where the keys (sealing, audit, payload codec) and the audit checkpoints
# live (a volume); owned by the runtime user so a fresh volume is writable
# by it.
RUN mkdir -p /var-lib-signet/keys /var-lib-signet/checkpoints && chmod -R 700 /var-lib-signet

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /signet /signet
COPY --from=build --chown=65532:65532 /var-lib-signet /var/lib/signet
EXPOSE 8080
ENTRYPOINT ["/signet"]
