package quiz

import "glc/internal/web"

func registerPages(r *web.Router, s *Service) {}
