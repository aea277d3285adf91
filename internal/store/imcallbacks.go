package store

import "context"

// TakeCallback records a platform callback's ID and reports whether it is
// new: false means it was taken before (a replay), and the caller refuses it.
func (s *Store) TakeCallback(ctx context.Context, platform, id string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO im_callbacks (platform, callback_id) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, platform, id)
	if err != nil {
		return false, wrap("take callback", err)
	}
	return tag.RowsAffected() == 1, nil
}
