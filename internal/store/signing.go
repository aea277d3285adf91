package store

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/signet-clm/signet/internal/audit"
	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/notify"
)

// ApplySigningStep writes one step of a signing round in a transaction.
// Rounds and signers are upserted; links and events are keyed and written
// once. Every link comes with its token's hash; invitations holds, by link
// ID, the mail that brings a link to its signer (notify.SigningInvitation),
// written in the same transaction as the link and only when the link is
// new, so a retried step neither loses nor repeats it. notices are mails
// that go with the step without a link (a company signer told to sign in),
// keyed, so a retried step writes each once.
func (s *Store) ApplySigningStep(ctx context.Context, st domain.SigningStep, invitations map[string]notify.Outgoing, notices []notify.Outgoing) error {
	r := st.Round
	return wrap("", pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO signing_rounds (contract_number, round, version, document_sha256, status, deadline_at, reason, started_at, closed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (contract_number, round) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
				closed_at = coalesce(signing_rounds.closed_at, EXCLUDED.closed_at)`,
			r.ContractNumber, r.Round, r.Version, r.DocumentSHA256, r.Status, r.DeadlineAt, r.Reason, r.At, r.ClosedAt); err != nil {
			return wrap("upsert signing round", err)
		}
		batch := &pgx.Batch{}
		for _, sg := range st.Signers {
			batch.Queue(`
				INSERT INTO signing_signers (id, contract_number, round, seq, signing_group, party, role, name, email, status, user_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, nullif($11, ''))
				ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, name = EXCLUDED.name, email = EXCLUDED.email,
					user_id = EXCLUDED.user_id,
					status = CASE WHEN signing_signers.status = 'signed' THEN 'signed' ELSE EXCLUDED.status END`,
				sg.ID, r.ContractNumber, r.Round, sg.Seq, sg.Group, sg.Party, sg.Role, sg.Name, sg.Email, sg.Status, sg.UserID)
		}
		for _, id := range st.VoidSigners {
			batch.Queue(`UPDATE signing_links SET status = 'voided', closed_at = $2 WHERE signer_id = $1 AND status = 'active'`, id, r.At)
		}
		if st.VoidRound {
			// The round's links are revoked; its signatures stay, voided.
			batch.Queue(`UPDATE signing_links SET status = 'voided', closed_at = $3
				WHERE contract_number = $1 AND round = $2 AND status = 'active'`, r.ContractNumber, r.Round, r.At)
			batch.Queue(`UPDATE signatures SET voided_at = $3
				WHERE contract_number = $1 AND round = $2 AND voided_at IS NULL`, r.ContractNumber, r.Round, r.At)
		}
		if st.CloseLinks {
			batch.Queue(`UPDATE signing_links SET status = 'expired', closed_at = $3
				WHERE contract_number = $1 AND round = $2 AND status = 'active'`, r.ContractNumber, r.Round, r.At)
		}
		for _, e := range st.Events {
			batch.Queue(`
				INSERT INTO signing_events (id, contract_number, version, round, kind, signer_id, signer_name, ip, user_agent, detail, at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
				e.ID, r.ContractNumber, r.Version, r.Round, e.Kind, e.SignerID, e.SignerName, e.IP, e.UserAgent, e.Detail, e.At)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return wrap("write signers and events", err)
		}
		for _, l := range st.Links {
			invitation, ok := invitations[l.ID]
			if err := s.insertLink(ctx, tx, r, l, invitation, ok); err != nil {
				return err
			}
		}
		if err := writeOutbox(ctx, tx, notices); err != nil {
			return wrap("write signing notices", err)
		}
		actx := audit.WithActor(ctx, audit.Actor{UserID: domain.SystemActor.UserID, RequestID: fmt.Sprintf("%s/SR%d", r.ContractNumber, r.Round)})
		if len(st.Events) == 0 {
			return nil
		}
		// Only steps with events are worth the trail (links are in the events).
		return s.appendAudit(actx, tx, "signing.step", "contract", r.ContractNumber, nil, map[string]any{"round": r.Round, "status": r.Status, "events": st.Events})
	}))
}

// insertLink stores a link once, by the hash of its token (never the
// token), and when it is new writes its invitation, if it has one. The
// invitation is the only way a link reaches anyone, so it is written even
// where mail is not configured (it is dead-lettered there; the e-signing
// service sends nobody a link without mail).
func (s *Store) insertLink(ctx context.Context, tx pgx.Tx, r domain.SigningRound, l domain.SigningLink, invitation notify.Outgoing, invite bool) error {
	if l.TokenHash == nil {
		return fmt.Errorf("link %s has no token hash", l.ID)
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO signing_links (id, signer_id, contract_number, round, token_hash, status, expires_at, created_at)
		VALUES ($1, $2, $3, $4, $5, 'active', $6, $7) ON CONFLICT (id) DO NOTHING`,
		l.ID, l.SignerID, r.ContractNumber, r.Round, l.TokenHash, l.ExpiresAt, r.At)
	if err != nil {
		return wrap(fmt.Sprintf("insert link %s", l.ID), err)
	}
	if tag.RowsAffected() == 0 || !invite {
		return nil
	}
	if err := writeOutbox(ctx, tx, []notify.Outgoing{invitation}); err != nil {
		return wrap(fmt.Sprintf("email link %s", l.ID), err)
	}
	return nil
}

// SaveSignature stores a sealed signature, its event, the signer's new
// status and the closing of their links in one transaction. A retry finds
// the first attempt's row and returns it.
func (s *Store) SaveSignature(ctx context.Context, sig eseal.SealedSignature, order int, eventID string) (eseal.SealedSignature, error) {
	r := sig.SignatureRecord
	var stored eseal.SealedSignature
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO signatures (id, contract_number, version, party, signing_order, signer_name, signer_email, recorded_by_id,
				ip, user_agent, signed_at, round, signer_id, role, document_sha256, link_id, record, seal)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $17, $8, $9, $10, $11, $1, $12, $13, $14, $15, $16)
			ON CONFLICT (id) DO NOTHING`,
			r.SignerID, r.ContractNumber, r.Version, r.Party, order, r.SignerName, r.SignerEmail,
			r.IP, r.UserAgent, r.SignedAt, r.Round, r.Role, r.DocumentSHA256, r.LinkID, r, sig.Seal, r.UserID)
		if err != nil {
			return wrap("insert signature", err)
		}
		if tag.RowsAffected() == 0 {
			return tx.QueryRow(ctx, `SELECT record, seal FROM signatures WHERE id = $1`, r.SignerID).Scan(&stored.SignatureRecord, &stored.Seal)
		}
		stored = sig
		batch := &pgx.Batch{}
		batch.Queue(`UPDATE signing_signers SET status = 'signed' WHERE id = $1`, r.SignerID)
		batch.Queue(`UPDATE signing_links SET status = CASE WHEN id = $2 THEN 'used' ELSE 'voided' END, closed_at = $3
			WHERE signer_id = $1 AND status = 'active'`, r.SignerID, r.LinkID, r.SignedAt)
		batch.Queue(`
			INSERT INTO signing_events (id, contract_number, version, round, kind, signer_id, signer_name, ip, user_agent, detail, at)
			VALUES ($1, $2, $3, $4, 'signed', $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
			eventID, r.ContractNumber, r.Version, r.Round, r.SignerID, r.SignerName, r.IP, r.UserAgent, r.Party, r.SignedAt)
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return wrap(fmt.Sprintf("close signer %s", r.SignerID), err)
		}
		// A company signer signed in as their user; a link's holder is
		// known only as the signer.
		who := "signer:" + r.SignerID
		if r.UserID != "" {
			who = r.UserID
		}
		actx := audit.WithActor(ctx, audit.Actor{UserID: who, RequestID: eventID})
		return s.appendAudit(actx, tx, "signing.signed", "contract", r.ContractNumber, nil, sig)
	})
	if err != nil {
		return eseal.SealedSignature{}, wrap(fmt.Sprintf("save signature %s", r.SignerID), err)
	}
	return stored, nil
}

// SigningLink is a link as its holder presents it.
type SigningLink struct {
	ID             string     `json:"id"`
	SignerID       string     `json:"signer_id" db:"signer_id"`
	ContractNumber string     `json:"contract_number" db:"contract_number"`
	Round          int        `json:"round"`
	Status         string     `json:"status"`
	ExpiresAt      time.Time  `json:"expires_at" db:"expires_at"`
	OpenedAt       *time.Time `json:"opened_at" db:"opened_at"`
	// Party is the link's signer's.
	Party domain.Party `json:"party"`
}

// LinkByHash returns the link whose token has this SHA-256, or
// domain.ErrNotFound.
func (s *Store) LinkByHash(ctx context.Context, hash []byte) (SigningLink, error) {
	rows, _ := s.pool.Query(ctx, `SELECT l.id, l.signer_id, l.contract_number, l.round, l.status, l.expires_at, l.opened_at, sg.party
		FROM signing_links l JOIN signing_signers sg ON sg.id = l.signer_id WHERE l.token_hash = $1`, hash)
	l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SigningLink])
	if err != nil {
		return SigningLink{}, wrap("link", err)
	}
	return l, nil
}

// LinkOpened records that a link was opened (the first time, and each
// time, as an event and in the audit trail): where from, and when. A
// retried request (the same request ID) records nothing twice.
func (s *Store) LinkOpened(ctx context.Context, l SigningLink, signerName, ip, userAgent, requestID string, at time.Time) error {
	return wrap("link "+l.ID+" opened", pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE signing_links SET opened_at = coalesce(opened_at, $2) WHERE id = $1`, l.ID, at); err != nil {
			return wrap("mark link opened", err)
		}
		e := eseal.Event{Kind: domain.SigningOpened, SignerID: l.SignerID, SignerName: signerName, At: at, IP: ip, UserAgent: userAgent}
		return s.linkEvent(ctx, tx, l, l.ID+"/opened/"+requestID, requestID, "signing.opened", e)
	}))
}

// linkEvent writes an event a link's holder caused, keyed by id, with its
// audit entry (attributed to the signer) when it is new.
func (s *Store) linkEvent(ctx context.Context, tx pgx.Tx, l SigningLink, id, requestID, action string, e eseal.Event) error {
	tag, err := tx.Exec(ctx, `
		INSERT INTO signing_events (id, contract_number, version, round, kind, signer_id, signer_name, ip, user_agent, detail, at)
		SELECT $1, $2, r.version, r.round, $3, $4, $5, $6, $7, $8, $9 FROM signing_rounds r
		WHERE r.contract_number = $2 AND r.round = $10
		ON CONFLICT (id) DO NOTHING`,
		id, l.ContractNumber, e.Kind, e.SignerID, e.SignerName, e.IP, e.UserAgent, e.Detail, e.At, l.Round)
	if err != nil {
		return wrap("record "+e.Kind, err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	actx := audit.WithActor(ctx, audit.Actor{UserID: "signer:" + l.SignerID, RequestID: requestID})
	return s.appendAudit(actx, tx, action, "contract", l.ContractNumber, nil, map[string]any{"round": l.Round, "link_id": l.ID, "event": e})
}

// SignerRow is a signer as the projection holds it.
type SignerRow struct {
	ID     string              `json:"id"`
	Seq    int                 `json:"seq"`
	Group  int                 `json:"group" db:"signing_group"`
	Party  domain.Party        `json:"party"`
	Role   string              `json:"role"`
	Name   string              `json:"name"`
	Status domain.SignerStatus `json:"status"`
}

// Signers returns a signing round's signers in order (without emails:
// whoever holds a link sees them).
func (s *Store) Signers(ctx context.Context, number string, round int) ([]SignerRow, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, seq, signing_group, party, role, name, status FROM signing_signers
		WHERE contract_number = $1 AND round = $2 ORDER BY seq`, number, round)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[SignerRow])
	if err != nil {
		return nil, wrap(fmt.Sprintf("signers of %s round %d", number, round), err)
	}
	return list, nil
}

// SealedSignatures returns the sealed signatures of one contract version
// in signing order (not those of a voided signing round).
func (s *Store) SealedSignatures(ctx context.Context, number string, version int) ([]eseal.SealedSignature, error) {
	rows, _ := s.pool.Query(ctx, `SELECT record, seal FROM signatures
		WHERE contract_number = $1 AND version = $2 AND record IS NOT NULL AND voided_at IS NULL ORDER BY signed_at, signing_order`, number, version)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (eseal.SealedSignature, error) {
		var sig eseal.SealedSignature
		err := row.Scan(&sig.SignatureRecord, &sig.Seal)
		return sig, err
	})
	if err != nil {
		return nil, wrap(fmt.Sprintf("sealed signatures of %s v%d", number, version), err)
	}
	return list, nil
}

// SigningEvents returns every signing event of one contract version in
// time order.
func (s *Store) SigningEvents(ctx context.Context, number string, version int) ([]eseal.Event, error) {
	rows, _ := s.pool.Query(ctx, `SELECT kind, signer_id, signer_name, at, ip, user_agent, detail FROM signing_events
		WHERE contract_number = $1 AND version = $2 ORDER BY at, id`, number, version)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[eseal.Event])
	if err != nil {
		return nil, wrap(fmt.Sprintf("signing events of %s v%d", number, version), err)
	}
	return list, nil
}

// ClaimDelivery remembers a provider webhook's delivery ID; false means it
// was seen before and must not be applied again.
func (s *Store) ClaimDelivery(ctx context.Context, id string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO provider_deliveries (delivery_id) VALUES ($1) ON CONFLICT DO NOTHING`, id)
	if err != nil {
		return false, wrap(fmt.Sprintf("claim delivery %s", id), err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseDelivery forgets a delivery ID whose callback could not be
// applied, so the provider's retry is.
func (s *Store) ReleaseDelivery(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM provider_deliveries WHERE delivery_id = $1`, id); err != nil {
		return wrap(fmt.Sprintf("release delivery %s", id), err)
	}
	return nil
}

// CodeAttempts is how many wrong one-time codes a link takes before it
// needs a new code.
const CodeAttempts = 5

// CodeSends is how many one-time codes a link has had and when the last
// one went out.
type CodeSends struct {
	Count  int
	LastAt *time.Time
}

// LinkCode is a new one-time code for a link: its hash, until when it
// works, when it is sent, the request asking for it and the mail carrying
// it (notify.SigningCode; the store fills in the signer's address).
type LinkCode struct {
	Hash      []byte
	ExpiresAt time.Time
	SentAt    time.Time
	RequestID string
	Mail      notify.Outgoing
}

// SaveLinkCode gives link l a new one-time code, replacing any earlier
// one, if allow (the caller's rule, asked under the link's row lock with
// what the link has had so far) lets it. In the same transaction it mails
// the code to the signer at the address the store holds and records the
// code_sent event with its audit entry. A retried request (the same
// request ID) changes nothing and returns the first code's expiry.
func (s *Store) SaveLinkCode(ctx context.Context, l SigningLink, c LinkCode, allow func(CodeSends) error) (time.Time, error) {
	expires := c.ExpiresAt
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var sent CodeSends
		var email, name string
		var storedExpiry *time.Time
		if err := tx.QueryRow(ctx, `
			SELECT l.codes_sent, l.code_sent_at, l.code_expires_at, sg.email, sg.name
			FROM signing_links l JOIN signing_signers sg ON sg.id = l.signer_id WHERE l.id = $1 FOR UPDATE OF l`, l.ID).
			Scan(&sent.Count, &sent.LastAt, &storedExpiry, &email, &name); err != nil {
			return wrap("", err)
		}
		eventID := l.ID + "/code/" + c.RequestID
		var repeated bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM signing_events WHERE id = $1)`, eventID).Scan(&repeated); err != nil {
			return wrap("", err)
		}
		if repeated {
			if storedExpiry != nil {
				expires = *storedExpiry
			}
			return nil
		}
		if err := allow(sent); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE signing_links SET code_hash = $2, code_expires_at = $3, code_attempts = 0, codes_sent = codes_sent + 1, code_sent_at = $4
			WHERE id = $1`, l.ID, c.Hash, c.ExpiresAt, c.SentAt); err != nil {
			return wrap("", err)
		}
		c.Mail.Address = email
		if err := writeOutbox(ctx, tx, []notify.Outgoing{c.Mail}); err != nil {
			return wrap("email code", err)
		}
		e := eseal.Event{Kind: domain.SigningCodeSent, SignerID: l.SignerID, SignerName: name, At: c.SentAt, Detail: email}
		return s.linkEvent(ctx, tx, l, eventID, c.RequestID, "signing.code_sent", e)
	})
	if err != nil {
		return time.Time{}, wrap(fmt.Sprintf("save code of %s", l.ID), err)
	}
	return expires, nil
}

// ErrCodeLocked: too many wrong codes; the signer asks for a new one.
var ErrCodeLocked = errors.New("too many wrong codes")

// CheckLinkCode reports whether codeHash is the link's live one-time
// code. A right code is used up; a wrong one counts against the link.
func (s *Store) CheckLinkCode(ctx context.Context, linkID string, codeHash []byte, now time.Time) (bool, error) {
	var ok bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var stored []byte
		var expires *time.Time
		var attempts int
		if err := tx.QueryRow(ctx, `SELECT code_hash, code_expires_at, code_attempts FROM signing_links WHERE id = $1 FOR UPDATE`, linkID).
			Scan(&stored, &expires, &attempts); err != nil {
			return wrap("", err)
		}
		if attempts >= CodeAttempts {
			return ErrCodeLocked
		}
		ok = stored != nil && expires != nil && now.Before(*expires) && hmacEqual(stored, codeHash)
		q := `UPDATE signing_links SET code_attempts = code_attempts + 1 WHERE id = $1`
		if ok {
			q = `UPDATE signing_links SET code_hash = NULL, code_expires_at = NULL WHERE id = $1`
		}
		_, err := tx.Exec(ctx, q, linkID)
		return err
	})
	if err != nil {
		return false, wrap(fmt.Sprintf("check code of %s", linkID), err)
	}
	return ok, nil
}

func hmacEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// SignerRef is what was recorded with a signer: the contract and round
// they belong to, their party and, for a company signer, their account.
type SignerRef struct {
	ContractNumber string
	Round          int
	Party          domain.Party
	UserID         string
}

// SignerOf returns what was recorded with a signer, or domain.ErrNotFound.
func (s *Store) SignerOf(ctx context.Context, id string) (SignerRef, error) {
	var ref SignerRef
	err := s.pool.QueryRow(ctx, `SELECT contract_number, round, party, coalesce(user_id, '') FROM signing_signers WHERE id = $1`, id).
		Scan(&ref.ContractNumber, &ref.Round, &ref.Party, &ref.UserID)
	if err != nil {
		return SignerRef{}, wrap(fmt.Sprintf("signer %s", id), err)
	}
	return ref, nil
}

// LinkStanding is what a link's page shows besides the document: the
// state of its one-time codes and who sent the contract, whom its holder
// contacts when the link no longer works.
type LinkStanding struct {
	CodesSent     int
	LastCodeAt    *time.Time
	CodeExpiresAt *time.Time
	CodeAttempts  int
	SenderName    string
	SenderEmail   string
}

// LinkStanding returns link l's code state and its contract's owner.
func (s *Store) LinkStanding(ctx context.Context, l SigningLink) (LinkStanding, error) {
	var ls LinkStanding
	err := s.pool.QueryRow(ctx, `
		SELECT l.codes_sent, l.code_sent_at, l.code_expires_at, l.code_attempts, c.owner_name, coalesce(u.email, '')
		FROM signing_links l JOIN contracts c ON c.number = l.contract_number LEFT JOIN users u ON u.id = c.owner_id
		WHERE l.id = $1`, l.ID).
		Scan(&ls.CodesSent, &ls.LastCodeAt, &ls.CodeExpiresAt, &ls.CodeAttempts, &ls.SenderName, &ls.SenderEmail)
	if err != nil {
		return LinkStanding{}, wrap(fmt.Sprintf("standing of link %s", l.ID), err)
	}
	return ls, nil
}

// ToSign is a signature waiting for a company signer whose turn it is.
type ToSign struct {
	ContractNumber string     `db:"contract_number"`
	Title          string     `db:"title"`
	CustomerName   string     `db:"customer_name"`
	Amount         int64      `db:"amount"`
	Currency       string     `db:"currency"`
	SignerID       string     `db:"signer_id"`
	DeadlineAt     *time.Time `db:"deadline_at"`
}

// ToSign returns the open rounds' signers that userID signs as and whose
// turn it is, the nearest deadline first, at most limit.
func (s *Store) ToSign(ctx context.Context, userID string, limit int) ([]ToSign, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT sg.contract_number, c.title, c.customer_name, c.amount, c.currency, sg.id AS signer_id, r.deadline_at
		FROM signing_signers sg
		JOIN signing_rounds r ON r.contract_number = sg.contract_number AND r.round = sg.round AND r.status = 'open'
		JOIN contracts c ON c.number = sg.contract_number
		WHERE sg.user_id = $1 AND sg.status = 'open'
		ORDER BY r.deadline_at, sg.contract_number LIMIT $2`, userID, limit)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ToSign])
	if err != nil {
		return nil, wrap("signatures to give of "+userID, err)
	}
	return list, nil
}
