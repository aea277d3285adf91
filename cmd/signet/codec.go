package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/signet-clm/signet/internal/codecserver"
	"github.com/signet-clm/signet/internal/config"
	"github.com/signet-clm/signet/internal/httpserve"
	"github.com/signet-clm/signet/internal/oidc"
	"github.com/signet-clm/signet/internal/payloadcodec"
	"github.com/signet-clm/signet/internal/store"
)

// runCodecServer serves the Temporal Web UI's codec endpoint until ctx
// ends: `signet codec-server`.
func runCodecServer(ctx context.Context, logger *slog.Logger) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is required: the codec server checks Signet's tokens")
	}
	codec, err := openCodec(cfg)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	return serveCodec(ctx, cfg, codec, st, logger)
}

// serveCodec runs the codec server on cfg.CodecAddr (`signet dev` too).
func serveCodec(ctx context.Context, cfg config.Config, codec *payloadcodec.Codec, st *store.Store, logger *slog.Logger) error {
	srv := &codecserver.Server{Codec: codec, Users: st, Origins: cfg.CodecUIOrigins, Timeout: cfg.RequestTimeout,
		SecureCookie: strings.HasPrefix(cfg.PublicURL, "https://"), Logger: logger.With("component", "codec-server")}
	if cfg.OIDCIssuer != "" {
		v, err := oidc.NewVerifier(ctx, oidc.Config{Issuer: cfg.OIDCIssuer, Audience: cfg.OIDCAudience, JWKSURL: cfg.OIDCJWKSURL},
			cfg.Outbound.Client(cfg.RequestTimeout))
		if err != nil {
			return fmt.Errorf("SIGNET_OIDC_ISSUER %s: %w", cfg.OIDCIssuer, err)
		}
		srv.OIDC = v
	}
	hs := &http.Server{Addr: cfg.CodecAddr, Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	logger.Info("codec server for the UI", "ui_origins", cfg.CodecUIOrigins)
	return httpserve.Run(ctx, hs, 5*time.Second, "codec server", logger)
}

// codecKey creates the payload key file (`new`, keeping an existing one)
// or adds a fresh current key to it (`rotate`). It prints key IDs, never
// keys.
func codecKey(action string) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.CodecKeyFile == "" {
		return errors.New("SIGNET_CODEC_KEY_FILE names the key file (for example /keys/codec-keys.json)")
	}
	switch action {
	case "new":
		ring, created, err := payloadcodec.CreateKeyFile(cfg.CodecKeyFile)
		if err != nil {
			return err
		}
		if created {
			fmt.Printf("created %s with key %s\n", cfg.CodecKeyFile, ring.Current())
		} else {
			fmt.Printf("%s already holds keys %s (current %s); left as it is\n", cfg.CodecKeyFile, strings.Join(ring.IDs(), ", "), ring.Current())
		}
	case "rotate":
		ring, err := payloadcodec.RotateKeyFile(cfg.CodecKeyFile)
		if err != nil {
			return err
		}
		fmt.Printf("%s: current key is now %s; kept for decryption: %s\n", cfg.CodecKeyFile, ring.Current(), strings.Join(ring.IDs()[:len(ring.IDs())-1], ", "))
		fmt.Println("restart api and worker processes to encrypt with it; until then they still decrypt it (the file is re-read for an unknown key)")
	}
	return nil
}
