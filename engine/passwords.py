"""Password hashing (werkzeug's salted scrypt/pbkdf2: a library, not Flask)."""
from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def check_password(stored: str, password: str) -> bool:
    return bool(stored) and check_password_hash(stored, password)
