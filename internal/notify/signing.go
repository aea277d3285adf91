package notify

import (
	"fmt"
	"time"

	"github.com/signet-clm/signet/internal/domain"
)

// Kinds of the mails a signer receives at their address.
const (
	KindSigningLink = "signing.link"
	KindSigningCode = "signing.code"
	// KindSigningTurn tells a company signer it is their turn to sign,
	// signed in; it carries no link that could sign.
	KindSigningTurn = "signing.turn"
)

// SigningInvitation is the mail that brings a signer their one-time link:
// token is the link's secret, which only this mail ever carries. Its key
// is the link's, so a retried step mails no second link.
func SigningInvitation(r domain.SigningRound, l domain.SigningLink, token string) Outgoing {
	return Outgoing{
		Key:     "signing-link/" + l.ID,
		Channel: ChannelEmail,
		Address: l.Email,
		Message: Message{
			Kind:    KindSigningLink,
			Subject: "请签署合同 / Please sign: " + r.ContractNumber + " " + r.Title,
			Text: fmt.Sprintf("%s，您好：\n\n请打开下面的链接阅读并签署合同 %s《%s》。链接仅供您本人使用一次，%s 前有效。\n\nPlease open the link below to read and sign. It is for you alone, works once, and expires %s.",
				l.Name, r.ContractNumber, r.Title, l.ExpiresAt.Format(time.DateOnly), l.ExpiresAt.Format(time.RFC3339)),
			Link: "/sign/" + token,
			At:   r.At,
			Data: map[string]any{"contract_number": r.ContractNumber, "round": r.Round, "signer_id": l.SignerID},
		},
	}
}

// SigningTurn tells a company signer (l is the link the round would have
// issued them, which is never made) to sign in and sign. Keyed by that
// link, so a retried step mails it once and each reminder once more.
func SigningTurn(r domain.SigningRound, l domain.SigningLink) Outgoing {
	return Outgoing{
		Key:     "signing-turn/" + l.ID,
		Channel: ChannelEmail,
		Address: l.Email,
		Message: Message{
			Kind:    KindSigningTurn,
			Subject: "请登录签署合同 / Sign in to sign: " + r.ContractNumber + " " + r.Title,
			Text: fmt.Sprintf("%s，您好：\n\n请以您本人的账号登录 Signet，代表公司签署合同 %s《%s》（%s 前）。签署只能在登录后进行，不接受链接代签。\n\nPlease sign in to Signet as yourself to sign %s for the company before %s. Company signatures are made signed in only, never through a link.",
				l.Name, r.ContractNumber, r.Title, l.ExpiresAt.Format(time.DateOnly), r.ContractNumber, l.ExpiresAt.Format(time.RFC3339)),
			Link: "/contracts/" + r.ContractNumber,
			At:   r.At,
			Data: map[string]any{"contract_number": r.ContractNumber, "round": r.Round, "signer_id": l.SignerID},
		},
	}
}

// Redacted is m as anyone but its recipient may read it (an admin's dead
// letters): a signing link's token and a one-time code are taken out.
func (m Message) Redacted() Message {
	switch m.Kind {
	case KindSigningLink:
		m.Link = "/sign/…"
	case KindSigningCode:
		m.Subject, m.Text = "签署验证码 / Your signing code: ••••••", "（验证码已隐藏 / the code is hidden）"
	}
	return m
}

// SigningCode is the mail with a signer's one-time code for contract
// number, valid for ttl; one per link and request, so a retried request
// mails it once. The address is the signer's, which the store knows.
func SigningCode(linkID, requestID, number, code string, ttl time.Duration, at time.Time) Outgoing {
	minutes := int(ttl.Minutes())
	return Outgoing{
		Key:     "signing-code/" + linkID + "/" + requestID,
		Channel: ChannelEmail,
		Message: Message{Kind: KindSigningCode, Subject: "签署验证码 / Your signing code: " + code,
			Text: fmt.Sprintf("您签署合同 %s 的验证码是 %s，%d 分钟内有效。\nYour code to sign %s is %s; it works for %d minutes.",
				number, code, minutes, number, code, minutes), At: at},
	}
}
