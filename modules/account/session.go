package account

import (
	"context"
	"errors"
	"net/http"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"glc/internal/apperr"
	"glc/internal/auth"
	"glc/internal/database"
)

// Pair is what a login or a refresh returns.
type Pair struct {
	AccessToken    string    `json:"access_token"`
	RefreshToken   string    `json:"refresh_token"`
	TokenType      string    `json:"token_type"`
	ExpiresIn      int       `json:"expires_in"`
	AccessExpires  time.Time `json:"-"`
	RefreshExpires time.Time `json:"-"`
	SessionID      string    `json:"-"`
}

// Errors of the session endpoints.
var (
	ErrBadCredentials = apperr.New(http.StatusUnauthorized, "invalid_credentials", "The e-mail address or the password is wrong.")
	ErrBadRefresh     = apperr.New(http.StatusUnauthorized, "unauthenticated", "The refresh token is not valid; log in again.")
	ErrPending        = apperr.New(http.StatusForbidden, "account_pending", "Your account is waiting for approval by an administrator or coordinator; you can log in once it is approved.")
	ErrSuspended      = apperr.New(http.StatusForbidden, "account_suspended", "Your account is suspended; contact an administrator.")
	// errRecentlyRotated: a browser sent a refresh cookie that was rotated moments ago by a
	// concurrent request; nothing is issued and nothing is revoked.
	errRecentlyRotated = errors.New("refresh token rotated moments ago")
)

// rotationGrace is how long after its rotation a refresh cookie is merely ignored (parallel
// page loads) instead of being treated as reuse. Only the cookie path uses it.
const rotationGrace = 20 * time.Second

// Login checks the credentials and opens a session. Unknown e-mails and wrong passwords take
// the same time and give the same error; failures are counted per account and per address.
func (s *Service) Login(ctx context.Context, email, password, ip string) (*Pair, *User, error) {
	akey, ikey := accountKey(email), addressKey(ip)
	if err := s.throttled(ctx, akey, ikey); err != nil {
		return nil, nil, err
	}
	u, err := s.byEmail(ctx, email)
	if err != nil {
		return nil, nil, err
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	if !auth.CheckPassword(hash, password) {
		if err := s.recordFailure(ctx, akey, accountLimit); err != nil {
			return nil, nil, err
		}
		if err := s.recordFailure(ctx, ikey, s.cfg.LoginIPLimit); err != nil {
			return nil, nil, err
		}
		return nil, nil, ErrBadCredentials
	}
	if err := s.clearFailures(ctx, akey); err != nil {
		return nil, nil, err
	}
	switch u.Status {
	case StatusPending:
		return nil, nil, ErrPending
	case StatusSuspended:
		return nil, nil, ErrSuspended
	}
	now := s.now()
	if err := s.db.WithContext(ctx).Model(u).UpdateColumn("last_login_at", now).Error; err != nil {
		return nil, nil, err
	}
	u.LastLoginAt = &now
	var pair *Pair
	err = s.db.Tx(ctx, func(tx *gorm.DB) error {
		sess := UserSession{ID: auth.NewID(), UserID: u.ID, CreatedAt: now, LastUsedAt: now}
		if err := tx.Create(&sess).Error; err != nil {
			return err
		}
		pair, err = s.issuePair(tx, u, sess.ID)
		return err
	})
	return pair, u, err
}

// issuePair stores a new refresh token for session sid and signs an access token.
func (s *Service) issuePair(tx *gorm.DB, u *User, sid string) (*Pair, error) {
	now := s.now()
	tok, hash := auth.NewOpaque()
	rt := RefreshToken{UserID: u.ID, SessionID: sid, Hash: hash, ExpiresAt: now.Add(s.cfg.RefreshTTL), CreatedAt: now}
	if err := tx.Create(&rt).Error; err != nil {
		return nil, err
	}
	access, exp, err := s.tokens.Issue(u.ID, sid)
	if err != nil {
		return nil, err
	}
	return &Pair{AccessToken: access, RefreshToken: tok, TokenType: "Bearer", ExpiresIn: int(exp.Sub(now).Seconds()),
		AccessExpires: exp, RefreshExpires: rt.ExpiresAt, SessionID: sid}, nil
}

// Refresh rotates a refresh token: the presented one dies and a new pair is returned. A token
// that was already used revokes its whole session (the owner and a thief both lose it).
func (s *Service) Refresh(ctx context.Context, token string) (*Pair, *User, error) {
	return s.refresh(ctx, token, 0)
}

func (s *Service) refresh(ctx context.Context, token string, grace time.Duration) (*Pair, *User, error) {
	if token == "" {
		return nil, nil, ErrBadRefresh
	}
	hash := auth.HashOpaque(token)
	now := s.now()
	var (
		pair   *Pair
		user   *User
		reused bool
	)
	err := s.db.Tx(ctx, func(tx *gorm.DB) error {
		q := tx
		if s.db.Dialect == database.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		var rt RefreshToken
		if err := q.Where("hash = ?", hash).Take(&rt).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrBadRefresh
			}
			return err
		}
		var sess UserSession
		if err := tx.Where("id = ?", rt.SessionID).Take(&sess).Error; err != nil {
			return ErrBadRefresh
		}
		if sess.RevokedAt != nil {
			return ErrBadRefresh
		}
		if rt.UsedAt != nil {
			if grace > 0 && now.Sub(*rt.UsedAt) < grace {
				return errRecentlyRotated
			}
			reused = true
			return tx.Model(&UserSession{}).Where("id = ?", sess.ID).Update("revoked_at", now).Error
		}
		if !now.Before(rt.ExpiresAt) {
			return ErrBadRefresh
		}
		res := tx.Model(&RefreshToken{}).Where("id = ? AND used_at IS NULL", rt.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			reused = true
			return tx.Model(&UserSession{}).Where("id = ?", sess.ID).Update("revoked_at", now).Error
		}
		var u User
		if err := tx.Take(&u, rt.UserID).Error; err != nil || u.Status != StatusActive {
			return ErrBadRefresh
		}
		if err := tx.Model(&UserSession{}).Where("id = ?", sess.ID).Update("last_used_at", now).Error; err != nil {
			return err
		}
		var err error
		pair, err = s.issuePair(tx, &u, sess.ID)
		user = &u
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if reused {
		s.log.Warn("refresh token reused; session revoked", "hash_prefix", hash[:8])
		return nil, nil, ErrBadRefresh
	}
	return pair, user, nil
}

// Logout ends the session of a refresh token. Unknown tokens are ignored.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	var rt RefreshToken
	err := s.db.WithContext(ctx).Where("hash = ?", auth.HashOpaque(token)).Take(&rt).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&UserSession{}).Where("id = ? AND revoked_at IS NULL", rt.SessionID).Update("revoked_at", s.now()).Error
}

// LogoutAll ends every session of the current user.
func (s *Service) LogoutAll(ctx context.Context) error {
	p, err := auth.Require(ctx)
	if err != nil {
		return err
	}
	return s.revokeSessions(s.db.WithContext(ctx), p.UserID, "")
}

// revokeSessions ends the user's sessions except keep ("" for none).
func (s *Service) revokeSessions(tx *gorm.DB, userID int64, keep string) error {
	q := tx.Model(&UserSession{}).Where("user_id = ? AND revoked_at IS NULL", userID)
	if keep != "" {
		q = q.Where("id <> ?", keep)
	}
	return q.Update("revoked_at", s.now()).Error
}

// Authenticated returns the active user an access token belongs to, or an error when the token,
// its session or its user must be refused.
func (s *Service) Authenticated(ctx context.Context, token string) (*User, *auth.Claims, error) {
	id, claims, err := s.tokens.Verify(token)
	if err != nil {
		return nil, nil, err
	}
	var u User
	if err := s.db.WithContext(ctx).Where("id = ? AND status = ?", id, StatusActive).Take(&u).Error; err != nil {
		return nil, nil, auth.ErrInvalidToken
	}
	if claims.SessionID != "" {
		var n int64
		err := s.db.WithContext(ctx).Model(&UserSession{}).
			Where("id = ? AND user_id = ? AND revoked_at IS NULL", claims.SessionID, id).Count(&n).Error
		if err != nil || n == 0 {
			return nil, nil, auth.ErrInvalidToken
		}
	}
	return &u, claims, nil
}
