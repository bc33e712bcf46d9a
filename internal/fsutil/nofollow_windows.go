package fsutil

// oNoFollow is 0 on Windows: O_EXCL (CREATE_NEW) already fails on any
// existing name, a symlink included.
const oNoFollow = 0
