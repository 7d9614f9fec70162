//! Arbitrary bytes as a key file (from a USB stick, an e-mail) and as an
//! encrypted subscriber password (from the database): a clear error or a
//! value, never a panic. The passphrase step (Argon2) is left out: it is
//! slow by design and sees only the checked fields.

#![no_main]

use headend_secrets::{KEY_LEN, KeyFile, SubscriberCipher};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(file) = KeyFile::parse(text)
    {
        let _ = (file.installation_id(), file.key_id());
    }
    if let Ok(cipher) = SubscriberCipher::from_key(&[7; KEY_LEN]) {
        let _ = cipher.decrypt(data);
    }
});
