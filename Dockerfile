# Signet's one binary in a small image; docker-compose.yml runs it as
# migrate, worker and api.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /signet ./cmd/signet
# Where key files live (a volume in docker-compose.yml): owned by the
# runtime user, so `signet codec-key new` can create one there.
RUN mkdir -p /keys

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /signet /signet
COPY --from=build --chown=65532:65532 /keys /keys
EXPOSE 8080
ENTRYPOINT ["/signet"]
