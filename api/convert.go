package api

// convList converts each element of a list; nil stays nil.
func convList[S, T any](in []S, f func(S) T) []T {
	if in == nil {
		return nil
	}
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// convPtr converts what p points to; nil stays nil.
func convPtr[S, T any](p *S, f func(S) T) *T {
	if p == nil {
		return nil
	}
	v := f(*p)
	return &v
}

// convMap converts each value of a map; nil stays nil.
func convMap[K comparable, S, T any](in map[K]S, f func(S) T) map[K]T {
	if in == nil {
		return nil
	}
	out := make(map[K]T, len(in))
	for k, v := range in {
		out[k] = f(v)
	}
	return out
}
