package activities

import (
	"context"
	"fmt"

	"github.com/signet-clm/signet/internal/domain"
	"github.com/signet-clm/signet/internal/eseal"
	"github.com/signet-clm/signet/internal/notify"
)

// saveTasks records tasks with the notices announcing those that need
// their assignee now (notify decides which and what they say).
func (a *Activities) saveTasks(ctx context.Context, tasks []domain.ApprovalTask) error {
	if len(tasks) == 0 {
		return nil
	}
	var notices []notify.Notice
	if notify.Announces(tasks) {
		c, err := a.Approvals.ContractSummary(ctx, tasks[0].ContractNumber)
		if err != nil {
			return fmt.Errorf("tasks of %s: %w", tasks[0].ContractNumber, err)
		}
		notices = notify.ForTasks(c, tasks)
	}
	return a.Approvals.SaveTasks(ctx, tasks, notices...)
}

// invite makes the tokens of a step's new links (setting their hashes)
// and the mails that bring each link to its signer. A retried attempt
// makes other tokens, but the store keeps the first attempt's link and
// mail: a link is written, and mailed, once. A signer with an account
// (a company signer) gets no link, which would let whoever holds the mail
// sign for the company: the step drops theirs, and they are told instead
// to sign in (notices).
func invite(step *domain.SigningStep) (map[string]notify.Outgoing, []notify.Outgoing, error) {
	var notices []notify.Outgoing
	links := step.Links[:0:0]
	for _, l := range step.Links {
		if l.UserID != "" {
			notices = append(notices, notify.SigningTurn(step.Round, l))
			continue
		}
		links = append(links, l)
	}
	step.Links = links
	tokens, err := eseal.IssueTokens(step.Links)
	if err != nil {
		return nil, nil, fmt.Errorf("links of %s round %d: %w", step.Round.ContractNumber, step.Round.Round, err)
	}
	invitations := make(map[string]notify.Outgoing, len(tokens))
	for _, l := range step.Links {
		if token, ok := tokens[l.ID]; ok {
			invitations[l.ID] = notify.SigningInvitation(step.Round, l, token)
		}
	}
	return invitations, notices, nil
}
