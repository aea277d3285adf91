package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/store"
)

// Credentials is what passwords and console sessions need of the store.
type Credentials interface {
	CredentialByLogin(ctx context.Context, login string) (domain.User, store.Credential, bool, error)
	Credential(ctx context.Context, userID string) (store.Credential, error)
	SetPassword(ctx context.Context, userID, hash, setBy string, keep []byte) error
	LoginFailed(ctx context.Context, userID string, lockUntil func(failed int) *time.Time) (int, error)
	LoginSucceeded(ctx context.Context, userID string) error
	CreateSession(ctx context.Context, idHash []byte, userID string, expiresAt time.Time) error
	SessionUser(ctx context.Context, idHash []byte) (store.Session, domain.User, error)
	TouchSession(ctx context.Context, idHash []byte, at time.Time) error
	DeleteSession(ctx context.Context, idHash []byte) error
	DeleteExpiredSessions(ctx context.Context, userID string, now time.Time, idle time.Duration) error
	SetUserLanguage(ctx context.Context, userID, lang string) error
	UserBySubject(ctx context.Context, subject string) (domain.User, error)
}

// Session bounds, unless configured (SIGNET_SESSION_IDLE, SIGNET_SESSION_MAX).
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 12 * time.Hour
)

// Password rules. bcrypt reads at most 72 bytes, so a longer password is
// refused rather than silently cut.
const (
	MinPasswordChars = 10
	MaxPasswordBytes = 72
	// PasswordCost is bcrypt's work factor: about 50–100 ms a check.
	PasswordCost = bcrypt.DefaultCost
)

// Failed sign-ins: after freeAttempts failures in a row an account waits
// lockBase before the next try, doubling with each further failure up to
// lockMax. A correct password resets the count.
const (
	freeAttempts = 5
	lockBase     = time.Minute
	lockMax      = 15 * time.Minute
)

// touchEvery is how stale a session's last_seen_at may get before a
// request refreshes it: one write a minute, not one per page.
const touchEvery = time.Minute

// ErrBadCredentials is a sign-in with an unknown login, a wrong password
// or an account without one; which of them is never said.
var ErrBadCredentials = errors.New("wrong login or password")

// ErrSessionExpired is a session that was valid once but is idle or past
// its end: the console asks to sign in again.
var ErrSessionExpired = errors.New("the session has expired")

// lockUntil is when an account may try again after failed failures in a
// row, or nil while it may still try at once.
func lockUntil(now time.Time, failed int) *time.Time {
	if failed < freeAttempts {
		return nil
	}
	wait := lockBase << min(failed-freeAttempts, 10)
	until := now.Add(min(wait, lockMax))
	return &until
}

// checkPassword says what is wrong with a new password for userID, under
// field.
func checkPassword(field, userID, pw string) error {
	switch {
	case !utf8.ValidString(pw) || strings.IndexFunc(pw, unicode.IsControl) >= 0:
		return domain.InvalidField(field, "must be text without control characters")
	case utf8.RuneCountInString(pw) < MinPasswordChars:
		return domain.InvalidField(field, fmt.Sprintf("must be at least %d characters", MinPasswordChars))
	case len(pw) > MaxPasswordBytes:
		return domain.InvalidField(field, fmt.Sprintf("must be at most %d bytes", MaxPasswordBytes))
	case userID != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(userID)):
		return domain.InvalidField(field, "must not contain the user's ID")
	}
	return nil
}

// hashPassword is how a password is stored.
func hashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), PasswordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when the login names nobody, so an
// unknown login takes as long to refuse as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("signet-no-such-user"), PasswordCost)

// PasswordInput is an admin's initial (or reset) password for a user.
type PasswordInput struct {
	Password string `json:"password" validate:"required,max=200"`
}

// SetPassword sets userID's password (admins: the route says so); every
// session of theirs ends.
func (s *Service) SetPassword(ctx context.Context, admin domain.User, userID string, in PasswordInput) error {
	if err := checkPassword("password", userID, in.Password); err != nil {
		return err
	}
	hash, err := hashPassword(in.Password)
	if err != nil {
		return err
	}
	return store.Classify(s.creds.SetPassword(ctx, userID, hash, admin.ID, nil))
}

// PasswordChange is a user changing their own password.
type PasswordChange struct {
	CurrentPassword string `json:"current_password" validate:"required,max=200"`
	NewPassword     string `json:"new_password" validate:"required,max=200"`
}

// ChangePassword changes u's own password once the current one checks
// out; a wrong one counts as a failed sign-in. Every other session of
// theirs ends; keepSession (the caller's own console session, "" from
// the API) stays.
func (s *Service) ChangePassword(ctx context.Context, u domain.User, in PasswordChange, keepSession string) error {
	cred, err := s.creds.Credential(ctx, u.ID)
	if err != nil {
		return err
	}
	now := s.now()
	if cred.LockedUntil != nil && now.Before(*cred.LockedUntil) {
		return &domain.Throttled{Until: *cred.LockedUntil}
	}
	if cred.Hash == "" {
		return domain.InvalidField("current_password", "no password is set for this account; an admin sets the first one")
	}
	if bcrypt.CompareHashAndPassword([]byte(cred.Hash), []byte(in.CurrentPassword)) != nil {
		if _, err := s.creds.LoginFailed(ctx, u.ID, func(n int) *time.Time { return lockUntil(now, n) }); err != nil {
			return err
		}
		return domain.InvalidField("current_password", "is not your current password")
	}
	if err := checkPassword("new_password", u.ID, in.NewPassword); err != nil {
		return err
	}
	if in.NewPassword == in.CurrentPassword {
		return domain.InvalidField("new_password", "must differ from the current password")
	}
	hash, err := hashPassword(in.NewPassword)
	if err != nil {
		return err
	}
	var keep []byte
	if keepSession != "" {
		keep = HashSessionID(keepSession)
	}
	return store.Classify(s.creds.SetPassword(ctx, u.ID, hash, u.ID, keep))
}

// SignedIn is a new console session: ID goes in the cookie and is never
// stored.
type SignedIn struct {
	ID        string
	User      domain.User
	ExpiresAt time.Time
}

// SignIn checks a login (user ID or email) and password and opens a
// session. A locked account is refused with *domain.Throttled even when
// the password is right; everything else that fails is
// ErrBadCredentials.
func (s *Service) SignIn(ctx context.Context, login, password string) (SignedIn, error) {
	if !domain.PlausibleKey(login) || len(password) > 200 {
		return SignedIn{}, ErrBadCredentials
	}
	u, cred, ok, err := s.creds.CredentialByLogin(ctx, login)
	if err != nil {
		return SignedIn{}, err
	}
	now := s.now()
	if !ok || cred.Hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return SignedIn{}, ErrBadCredentials
	}
	if cred.LockedUntil != nil && now.Before(*cred.LockedUntil) {
		return SignedIn{}, &domain.Throttled{Until: *cred.LockedUntil}
	}
	if bcrypt.CompareHashAndPassword([]byte(cred.Hash), []byte(password)) != nil {
		n, err := s.creds.LoginFailed(ctx, u.ID, func(n int) *time.Time { return lockUntil(now, n) })
		if err != nil {
			return SignedIn{}, err
		}
		if until := lockUntil(now, n); until != nil {
			return SignedIn{}, &domain.Throttled{Until: *until}
		}
		return SignedIn{}, ErrBadCredentials
	}
	if cred.FailedLogins > 0 || cred.LockedUntil != nil {
		if err := s.creds.LoginSucceeded(ctx, u.ID); err != nil {
			return SignedIn{}, err
		}
	}
	return s.openSession(ctx, u)
}

// ErrNoLinkedUser: the issuer vouched for a subject no active Signet user
// is linked to (users.oidc_subject).
var ErrNoLinkedUser = errors.New("identity: no active user is linked to this sign-in")

// SignInSubject opens a session for the active user linked to subject,
// which the OIDC issuer has just vouched for (oidc.Login.Finish).
func (s *Service) SignInSubject(ctx context.Context, subject string) (SignedIn, error) {
	u, err := s.creds.UserBySubject(ctx, subject)
	if errors.Is(err, domain.ErrNotFound) {
		return SignedIn{}, ErrNoLinkedUser
	}
	if err != nil {
		return SignedIn{}, err
	}
	return s.openSession(ctx, u)
}

// openSession starts a console session for u, clearing u's expired ones.
func (s *Service) openSession(ctx context.Context, u domain.User) (SignedIn, error) {
	now := s.now()
	if err := s.creds.DeleteExpiredSessions(ctx, u.ID, now, s.SessionIdle); err != nil {
		return SignedIn{}, err
	}
	id, err := newSessionID()
	if err != nil {
		return SignedIn{}, err
	}
	expires := now.Add(s.SessionMax).UTC().Truncate(time.Microsecond)
	actor := audit.ActorFrom(ctx)
	ctx = audit.WithActor(ctx, audit.Actor{UserID: u.ID, RequestID: actor.RequestID})
	if err := s.creds.CreateSession(ctx, HashSessionID(id), u.ID, expires); err != nil {
		return SignedIn{}, err
	}
	return SignedIn{ID: id, User: u, ExpiresAt: expires}, nil
}

// Session returns the user a live console session belongs to and the
// language they chose. A session idle for SessionIdle or past SessionMax
// is deleted and reported as ErrSessionExpired; an unknown one (signed
// out, or its user deactivated) as domain.ErrNotFound.
func (s *Service) Session(ctx context.Context, id string) (domain.User, string, error) {
	if id == "" || len(id) > 100 {
		return domain.User{}, "", domain.ErrNotFound
	}
	h := HashSessionID(id)
	ss, u, err := s.creds.SessionUser(ctx, h)
	if err != nil {
		return domain.User{}, "", err
	}
	now := s.now()
	if !now.Before(ss.ExpiresAt) || now.Sub(ss.LastSeenAt) >= s.SessionIdle {
		if err := s.creds.DeleteSession(ctx, h); err != nil {
			return domain.User{}, "", err
		}
		return domain.User{}, "", ErrSessionExpired
	}
	if now.Sub(ss.LastSeenAt) >= touchEvery {
		if err := s.creds.TouchSession(ctx, h, now); err != nil {
			return domain.User{}, "", err
		}
	}
	return u, ss.Language, nil
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, id string) error {
	if id == "" || len(id) > 100 {
		return nil
	}
	return s.creds.DeleteSession(ctx, HashSessionID(id))
}

// Languages the console is written in.
var Languages = []string{"zh-CN", "en"}

// SetLanguage records the console language u reads in ("" follows the
// browser).
func (s *Service) SetLanguage(ctx context.Context, u domain.User, lang string) error {
	if lang != "" && lang != Languages[0] && lang != Languages[1] {
		return domain.InvalidField("language", "must be zh-CN, en or empty")
	}
	return s.creds.SetUserLanguage(ctx, u.ID, lang)
}

// HashSessionID is how a session ID is stored: its SHA-256.
func HashSessionID(id string) []byte {
	sum := sha256.Sum256([]byte("session\x00" + id))
	return sum[:]
}

// CSRFToken is the token a session's forms carry: derived from the
// session ID, so it needs no storage, and telling nothing about the ID.
func CSRFToken(sessionID string) string {
	sum := sha256.Sum256([]byte("csrf\x00" + sessionID))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ValidCSRF reports whether token is the session's form token.
func ValidCSRF(sessionID, token string) bool {
	return sessionID != "" && subtle.ConstantTimeCompare([]byte(CSRFToken(sessionID)), []byte(token)) == 1
}

func newSessionID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session ID: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
