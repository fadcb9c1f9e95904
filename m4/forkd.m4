dnl FORKD_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
dnl Compile a trivial program with FLAG and -Werror.
AC_DEFUN([FORKD_CHECK_CFLAG], [
	AC_MSG_CHECKING([whether $CC accepts $1])
	forkd_save_CFLAGS=$CFLAGS
	CFLAGS="$CFLAGS $1 -Werror"
	AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
	    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no]); $3])
	CFLAGS=$forkd_save_CFLAGS
])

dnl FORKD_CHECK_LDFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
AC_DEFUN([FORKD_CHECK_LDFLAG], [
	AC_MSG_CHECKING([whether the linker accepts $1])
	forkd_save_LDFLAGS=$LDFLAGS
	LDFLAGS="$LDFLAGS $1"
	AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
	    [AC_MSG_RESULT([yes]); $2], [AC_MSG_RESULT([no]); $3])
	LDFLAGS=$forkd_save_LDFLAGS
])
