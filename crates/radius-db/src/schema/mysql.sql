-- FreeRADIUS 3.2's tables for MySQL and MariaDB, as Headend creates them
-- in an empty database: the tables, columns and types FreeRADIUS's own
-- queries (mods-config/sql/main/mysql/queries.conf) read and write, so a
-- stock FreeRADIUS works on them unchanged. Tables that exist are kept.

CREATE TABLE IF NOT EXISTS radacct (
    radacctid bigint NOT NULL AUTO_INCREMENT,
    acctsessionid varchar(64) NOT NULL DEFAULT '',
    acctuniqueid varchar(32) NOT NULL DEFAULT '',
    username varchar(64) NOT NULL DEFAULT '',
    realm varchar(64) DEFAULT '',
    nasipaddress varchar(15) NOT NULL DEFAULT '',
    nasportid varchar(32) DEFAULT NULL,
    nasporttype varchar(32) DEFAULT NULL,
    acctstarttime datetime NULL DEFAULT NULL,
    acctupdatetime datetime NULL DEFAULT NULL,
    acctstoptime datetime NULL DEFAULT NULL,
    acctinterval int DEFAULT NULL,
    acctsessiontime int unsigned DEFAULT NULL,
    acctauthentic varchar(32) DEFAULT NULL,
    connectinfo_start varchar(128) DEFAULT NULL,
    connectinfo_stop varchar(128) DEFAULT NULL,
    acctinputoctets bigint DEFAULT NULL,
    acctoutputoctets bigint DEFAULT NULL,
    calledstationid varchar(50) NOT NULL DEFAULT '',
    callingstationid varchar(50) NOT NULL DEFAULT '',
    acctterminatecause varchar(32) NOT NULL DEFAULT '',
    servicetype varchar(32) DEFAULT NULL,
    framedprotocol varchar(32) DEFAULT NULL,
    framedipaddress varchar(15) NOT NULL DEFAULT '',
    framedipv6address varchar(45) NOT NULL DEFAULT '',
    framedipv6prefix varchar(45) NOT NULL DEFAULT '',
    framedinterfaceid varchar(44) NOT NULL DEFAULT '',
    delegatedipv6prefix varchar(45) NOT NULL DEFAULT '',
    class varchar(64) DEFAULT NULL,
    PRIMARY KEY (radacctid),
    UNIQUE KEY acctuniqueid (acctuniqueid),
    KEY username (username),
    KEY framedipaddress (framedipaddress),
    KEY acctsessionid (acctsessionid),
    KEY acctstarttime (acctstarttime),
    KEY acctstoptime (acctstoptime),
    KEY nasipaddress (nasipaddress),
    KEY class (class)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS radcheck (
    id int unsigned NOT NULL AUTO_INCREMENT,
    username varchar(64) NOT NULL DEFAULT '',
    attribute varchar(64) NOT NULL DEFAULT '',
    op char(2) NOT NULL DEFAULT '==',
    value varchar(253) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY username (username(32))
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS radgroupcheck (
    id int unsigned NOT NULL AUTO_INCREMENT,
    groupname varchar(64) NOT NULL DEFAULT '',
    attribute varchar(64) NOT NULL DEFAULT '',
    op char(2) NOT NULL DEFAULT '==',
    value varchar(253) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY groupname (groupname(32))
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS radgroupreply (
    id int unsigned NOT NULL AUTO_INCREMENT,
    groupname varchar(64) NOT NULL DEFAULT '',
    attribute varchar(64) NOT NULL DEFAULT '',
    op char(2) NOT NULL DEFAULT '=',
    value varchar(253) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY groupname (groupname(32))
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS radreply (
    id int unsigned NOT NULL AUTO_INCREMENT,
    username varchar(64) NOT NULL DEFAULT '',
    attribute varchar(64) NOT NULL DEFAULT '',
    op char(2) NOT NULL DEFAULT '=',
    value varchar(253) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    KEY username (username(32))
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS radusergroup (
    id int unsigned NOT NULL AUTO_INCREMENT,
    username varchar(64) NOT NULL DEFAULT '',
    groupname varchar(64) NOT NULL DEFAULT '',
    priority int NOT NULL DEFAULT 1,
    PRIMARY KEY (id),
    KEY username (username(32))
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS radpostauth (
    id int NOT NULL AUTO_INCREMENT,
    username varchar(64) NOT NULL DEFAULT '',
    pass varchar(64) NOT NULL DEFAULT '',
    reply varchar(32) NOT NULL DEFAULT '',
    authdate timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
    class varchar(64) DEFAULT NULL,
    PRIMARY KEY (id),
    KEY username (username),
    KEY class (class)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS nas (
    id int NOT NULL AUTO_INCREMENT,
    nasname varchar(128) NOT NULL,
    shortname varchar(32),
    type varchar(30) DEFAULT 'other',
    ports int,
    secret varchar(60) DEFAULT 'secret' NOT NULL,
    server varchar(64),
    community varchar(50),
    description varchar(200) DEFAULT 'RADIUS Client',
    PRIMARY KEY (id),
    KEY nasname (nasname)
) ENGINE = InnoDB;

CREATE TABLE IF NOT EXISTS nasreload (
    nasipaddress varchar(15) NOT NULL,
    reloadtime datetime NOT NULL,
    PRIMARY KEY (nasipaddress)
) ENGINE = InnoDB;
