package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/bits"
)

// Head is one chain's last row at a checkpoint.
type Head struct {
	Chain    int    `json:"chain"`
	ChainSeq int64  `json:"chain_seq"`
	Seq      int64  `json:"seq"`
	Hash     string `json:"hash"`
}

// The Merkle tree over a checkpoint's heads (in chain order) is RFC 6962's:
// leaves and inner nodes hashed with distinct prefixes, so neither can pass
// for the other, and the tree split at the largest power of two below its
// size. A root pins every head; a proof shows one head is under a root
// without the others.

func leafHash(h Head) []byte {
	sum := sha256.Sum256(fmt.Appendf([]byte{0}, "%d\n%d\n%d\n%s", h.Chain, h.ChainSeq, h.Seq, h.Hash))
	return sum[:]
}

func nodeHash(l, r []byte) []byte {
	b := make([]byte, 0, 1+len(l)+len(r))
	b = append(append(append(b, 1), l...), r...)
	sum := sha256.Sum256(b)
	return sum[:]
}

// split is the size of a tree of n > 1 leaves' left subtree.
func split(n int) int { return 1 << (bits.Len(uint(n-1)) - 1) }

func treeHash(heads []Head) []byte {
	if len(heads) == 1 {
		return leafHash(heads[0])
	}
	k := split(len(heads))
	return nodeHash(treeHash(heads[:k]), treeHash(heads[k:]))
}

// MerkleRoot is the root over heads, hex; Genesis for none.
func MerkleRoot(heads []Head) string {
	if len(heads) == 0 {
		return Genesis
	}
	return hex.EncodeToString(treeHash(heads))
}

// InclusionProof is the audit path of heads[i]: the sibling hashes from
// the leaf up, hex.
func InclusionProof(heads []Head, i int) []string {
	var path []string
	for len(heads) > 1 {
		k := split(len(heads))
		if i < k {
			path = append(path, hex.EncodeToString(treeHash(heads[k:])))
			heads = heads[:k]
		} else {
			path = append(path, hex.EncodeToString(treeHash(heads[:k])))
			heads, i = heads[k:], i-k
		}
	}
	// The path was built from the root down; a verifier climbs up.
	for l, r := 0, len(path)-1; l < r; l, r = l+1, r-1 {
		path[l], path[r] = path[r], path[l]
	}
	return path
}

// VerifyInclusion reports whether h is leaf i of n under root, by proof.
func VerifyInclusion(root string, h Head, i, n int, proof []string) bool {
	if i < 0 || i >= n {
		return false
	}
	sum, ok := climb(leafHash(h), i, n, proof)
	return ok && hex.EncodeToString(sum) == root
}

// climb folds the proof into the leaf's hash from the top of the tree's
// shape down (as the path was cut), consuming the proof from its end.
func climb(leaf []byte, i, n int, proof []string) ([]byte, bool) {
	if n == 1 {
		return leaf, len(proof) == 0
	}
	if len(proof) == 0 {
		return nil, false
	}
	sib, err := hex.DecodeString(proof[len(proof)-1])
	if err != nil {
		return nil, false
	}
	rest := proof[:len(proof)-1]
	k := split(n)
	if i < k {
		sub, ok := climb(leaf, i, k, rest)
		return nodeHash(sub, sib), ok
	}
	sub, ok := climb(leaf, i-k, n-k, rest)
	return nodeHash(sib, sub), ok
}
