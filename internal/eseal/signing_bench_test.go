package eseal_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/signet-clm/signet/internal/eseal"
)

// BenchmarkVerifyDocument1MiB is what checking a signed 1 MiB document costs a
// verifier: hash the document and check two signers' seals against it.
func BenchmarkVerifyDocument1MiB(b *testing.B) {
	doc := make([]byte, 1<<20)
	rand.Read(doc)
	sum := sha256.Sum256(doc)

	s := newSealer(b, 1)
	company, customer := sampleRecord(), sampleRecord()
	company.SignerID, company.Party = "u-1001", "company"
	company.DocumentSHA256 = hex.EncodeToString(sum[:])
	customer.DocumentSHA256 = company.DocumentSHA256
	sigs := []eseal.SealedSignature{sealed(b, s, company), sealed(b, s, customer)}
	pub := s.PublicKey()

	b.SetBytes(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		sum := sha256.Sum256(doc)
		got := hex.EncodeToString(sum[:])
		for _, sig := range sigs {
			if sig.DocumentSHA256 != got || !eseal.Verify(pub, sig.SignatureRecord, sig.Seal) {
				b.Fatal("signature does not verify")
			}
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	s := newSealer(b, 1)
	rec := sampleRecord()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Seal(rec); err != nil {
			b.Fatal(err)
		}
	}
}
