package account

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/database"
)

// Login throttling. Counters live in the login_attempts table so that every replica sharing
// the database sees the same numbers. A key collects failures within a window; reaching its
// limit locks it for a period that doubles with each lock (strike), up to a day. Strikes are
// forgotten a day after the last lock ended. Successful logins never count.
const (
	failWindow    = 15 * time.Minute
	accountLimit  = 5
	baseLock      = 5 * time.Minute
	maxLock       = 24 * time.Hour
	strikesForget = 24 * time.Hour
)

func accountKey(email string) string { return "account:" + normEmail(email) }
func addressKey(ip string) string    { return "ip:" + ip }

// lockDuration is the lock after the n-th strike: 5 min, 10, 20, ... at most a day.
func lockDuration(strikes int) time.Duration {
	d := baseLock
	for i := 1; i < strikes && d < maxLock; i++ {
		d *= 2
	}
	return min(d, maxLock)
}

// throttled returns a *apperr.RateLimited when one of keys is locked now.
func (s *Service) throttled(ctx context.Context, keys ...string) error {
	now := s.now()
	var rows []LoginAttempt
	if err := s.db.WithContext(ctx).Where("key IN ? AND locked_until > ?", keys, now).Find(&rows).Error; err != nil {
		return err
	}
	var wait time.Duration
	for _, r := range rows {
		wait = max(wait, r.LockedUntil.Sub(now))
	}
	if wait > 0 {
		return &apperr.RateLimited{RetryAfter: wait, Message: "Too many failed logins. Wait before trying again."}
	}
	return nil
}

// recordFailure counts a failure for key (limit failures per window lock it).
func (s *Service) recordFailure(ctx context.Context, key string, limit int) error {
	now := s.now()
	return s.db.Tx(ctx, func(tx *gorm.DB) error {
		err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&LoginAttempt{Key: key, WindowStart: now, UpdatedAt: now}).Error
		if err != nil {
			return err
		}
		q := tx
		if s.db.Dialect == database.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var a LoginAttempt
		if err := q.Where("key = ?", key).Take(&a).Error; err != nil {
			return err
		}
		if a.LockedUntil != nil && now.Before(*a.LockedUntil) {
			return nil // refused before the password was checked; not counted
		}
		if a.LockedUntil != nil && now.Sub(*a.LockedUntil) > strikesForget {
			a.Strikes = 0
		}
		if now.Sub(a.WindowStart) > failWindow {
			a.Failures, a.WindowStart = 0, now
		}
		a.Failures++
		if a.Failures >= limit {
			a.Strikes++
			until := now.Add(lockDuration(a.Strikes))
			a.LockedUntil = &until
			a.Failures, a.WindowStart = 0, now
		}
		a.UpdatedAt = now
		return tx.Model(&LoginAttempt{}).Where("key = ?", key).Updates(map[string]any{
			"failures": a.Failures, "window_start": a.WindowStart, "strikes": a.Strikes,
			"locked_until": a.LockedUntil, "updated_at": a.UpdatedAt}).Error
	})
}

// clearFailures forgets the failures of key (after a successful login to the account).
func (s *Service) clearFailures(ctx context.Context, key string) error {
	return s.db.WithContext(ctx).Where("key = ?", key).Delete(&LoginAttempt{}).Error
}

// SweepLoginAttempts deletes counters untouched for longer than a lock can last.
func (s *Service) SweepLoginAttempts(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("updated_at < ? AND (locked_until IS NULL OR locked_until < ?)",
		s.now().Add(-maxLock-strikesForget), s.now()).Delete(&LoginAttempt{})
	return res.RowsAffected, res.Error
}
