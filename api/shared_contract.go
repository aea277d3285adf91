package api

import (
	"github.com/signet-clm/signet/internal/contracts"
	"github.com/signet-clm/signet/internal/document"
	"github.com/signet-clm/signet/internal/store"
)

// The contract page's share of what the console shows as the API answers
// it: versions and their comparison, the books, the attachments.

// VersionInfosOf is the API's list of a contract's versions.
func VersionInfosOf(v []store.VersionInfo) []VersionInfo { return convList(v, toVersionInfo) }

// VersionViewOf is the API's one version of a contract.
func VersionViewOf(v contracts.VersionView) VersionView { return toVersionView(v) }

// ComparisonOf is the API's comparison of two versions.
func ComparisonOf(v document.Comparison) Comparison { return toComparison(v) }

// InvoicesOf is the API's invoices of a contract, reversals included.
func InvoicesOf(v []store.Invoice) []Invoice { return convList(v, toInvoice) }

// PaymentsOf is the API's payments of a contract, reversals included.
func PaymentsOf(v []store.Payment) []Payment { return convList(v, toPayment) }

// AttachmentsOf is the API's attachments of a contract.
func AttachmentsOf(v []store.Attachment) []Attachment { return convList(v, toAttachment) }

// CleanFilename is an uploaded file's name as the API keeps it.
func CleanFilename(name string) string { return cleanFilename(name) }
