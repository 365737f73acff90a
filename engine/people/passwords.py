"""Password hashing (werkzeug's salted scrypt/pbkdf2: a library, not Flask)."""
import secrets

from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def check_password(stored: str, password: str) -> bool:
    return bool(stored) and check_password_hash(stored, password)


MIN_LENGTH = 8
MAX_LENGTH = 128
# Generated passwords avoid look-alikes (0/O, 1/l/I) so they can be read out over the phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def password_problem(password: str, username: str = "") -> str | None:
    """Why a password is not good enough, as a sentence to show; None when it is."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符。"
    if len(password) > MAX_LENGTH:
        return f"密码最多 {MAX_LENGTH} 个字符。"
    if not password.strip():
        return "密码不能全是空格。"
    if username and password.strip().lower() == username.strip().lower():
        return "密码不能与用户名相同。"
    return None


def generate_password(length: int = 10) -> str:
    """A random password that passes password_problem: letters and digits, at least one of each."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate
