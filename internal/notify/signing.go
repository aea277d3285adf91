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
