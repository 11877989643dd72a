package account

import (
	"github.com/gin-gonic/gin"

	"glc/internal/auth"
)

func setPrincipal(c *gin.Context, u *User) { auth.SetPrincipal(c, Principal(u)) }
