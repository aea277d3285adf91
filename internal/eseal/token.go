package eseal

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"

	"github.com/signet-clm/signet/internal/domain"
)

const tokenBytes = 32

var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes) // 43

// NewToken returns a one-time signing-link token (32 random bytes, base64url
// without padding) and its hash. Store only the hash, so a leaked table holds
// no usable links.
func NewToken() (token string, hash []byte, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("signing: generate token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// IssueTokens makes a token for every link that has no token hash yet
// (the workflow issues links without one; the activity recording them
// makes the secret, which history never holds) and sets the hash. It
// returns the new tokens by link ID, for the invitations that carry them.
func IssueTokens(links []domain.SigningLink) (map[string]string, error) {
	tokens := map[string]string{}
	for i := range links {
		if links[i].TokenHash != nil {
			continue
		}
		token, hash, err := NewToken()
		if err != nil {
			return nil, err
		}
		links[i].TokenHash, tokens[links[i].ID] = hash, token
	}
	return tokens, nil
}

// HashToken returns the SHA-256 of the token's text, the value to look up.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ValidTokenShape reports whether s could be a token (43 base64url chars), so
// garbage is refused before any lookup.
func ValidTokenShape(s string) bool {
	if len(s) != tokenLen {
		return false
	}
	// Strict also rejects a last character with the two unused bits set, which
	// NewToken never produces. Decoding skips CR/LF, so a token with one
	// decodes short and fails the length check.
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == tokenBytes
}

// NewCode returns a random six-digit one-time code.
func NewCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
