# Signet's one binary in a small image; docker-compose.yml runs it as
# migrate, worker and api.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /signet ./cmd/signet

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /signet /signet
EXPOSE 8080
ENTRYPOINT ["/signet"]
