#ifndef GATEHOUSE_CSQLITECONFIG_SHIM_H
#define GATEHOUSE_CSQLITECONFIG_SHIM_H

/* sqlite3_db_config is variadic, which Swift cannot call: these wrappers give it fixed
 * signatures. sqlite3.h is not included so that its declarations come into Swift from
 * GRDBSQLite alone (a second copy makes every sqlite3_* call ambiguous). */

struct sqlite3;
int sqlite3_db_config(struct sqlite3 *db, int op, ...);
int sqlite3_config(int op, ...);

/* SQLITE_DBCONFIG_ENABLE_TRIGGER in sqlite3.h (stable since SQLite 3.8.3). */
#define GATEHOUSE_SQLITE_DBCONFIG_ENABLE_TRIGGER 1003

/* Turns trigger processing on (1) or off (0) for one connection; returns the setting
 * now in force, or -1 when SQLite refused. SQLite expires the connection's prepared
 * statements when the setting changes, so each is compiled again for the new one. */
static inline int gatehouse_sqlite_set_triggers(struct sqlite3 *db, int enabled) {
    int now = -1;
    if (sqlite3_db_config(db, GATEHOUSE_SQLITE_DBCONFIG_ENABLE_TRIGGER, enabled, &now) != 0) return -1;
    return now;
}

/* SQLITE_CONFIG_MEMSTATUS in sqlite3.h. */
#define GATEHOUSE_SQLITE_CONFIG_MEMSTATUS 9

/* Stops SQLite's memory statistics, which take a global mutex on every allocation.
 * Only before SQLite initializes (the first connection); returns 0 when it took effect. */
static inline int gatehouse_sqlite_disable_memstatus(void) {
    return sqlite3_config(GATEHOUSE_SQLITE_CONFIG_MEMSTATUS, 0);
}

#endif
