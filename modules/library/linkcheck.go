package library

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"glc/internal/apperr"
	"glc/internal/auth"
)

// linkCheckEvery is the pause between two rounds of the link checker.
const linkCheckEvery = 24 * time.Hour

// CheckLinks visits every training website once (HEAD, then GET when HEAD is refused) and
// marks it ok or broken. It returns how many are broken.
func (s *Service) CheckLinks(ctx context.Context) (int, error) {
	links, err := s.st.links(ctx)
	if err != nil {
		return 0, err
	}
	broken := 0
	for _, l := range links {
		if ctx.Err() != nil {
			return broken, ctx.Err()
		}
		status := LinkOK
		if !s.linkWorks(ctx, l.URL) {
			status = LinkBroken
			broken++
		}
		if err := s.st.setLinkStatus(ctx, l.ID, status, s.now()); err != nil {
			return broken, err
		}
	}
	return broken, nil
}

func (s *Service) linkWorks(ctx context.Context, url string) bool {
	for _, method := range []string{http.MethodHead, http.MethodGet} {
		req, err := http.NewRequestWithContext(ctx, method, url, nil)
		if err != nil {
			return false
		}
		req.Header.Set("User-Agent", "GLC-link-checker/1")
		resp, err := s.client.Do(req)
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode < 400 {
			return true
		}
		if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotImplemented && resp.StatusCode != http.StatusForbidden {
			return false
		}
	}
	return false
}

// runLinkChecker checks the links shortly after start-up, then once a day, until ctx ends.
func (s *Service) runLinkChecker(ctx context.Context) {
	wait := time.Minute
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		if n, err := s.CheckLinks(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("library: link check failed", "err", err)
		} else if err == nil {
			s.log.Info("library: links checked", "broken", n)
		}
		wait = linkCheckEvery
	}
}

// CheckLinksNow runs one round on an admin's request, when link checking is enabled
// (GLC_LINK_CHECK=true); the server calls nothing outside otherwise.
func (s *Service) CheckLinksNow(ctx context.Context) (int, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return 0, err
	}
	if !p.IsAdmin() {
		return 0, apperr.ErrForbidden
	}
	if !s.LinkCheck {
		return 0, fmt.Errorf("link checking is off (set GLC_LINK_CHECK=true): %w", apperr.ErrConflict)
	}
	return s.CheckLinks(ctx)
}
