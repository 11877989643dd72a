package scorm

import "context"

// ReleaseContent exposes releaseContent to the tests.
func (s *Service) ReleaseContent(ctx context.Context, content string) error {
	return s.releaseContent(ctx, content)
}
