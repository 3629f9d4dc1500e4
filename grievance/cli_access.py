"""Commands for API tokens and for factories' grants to buyers (flask --app grievance tokens|grants)."""

from __future__ import annotations

import click
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import ApiToken, Factory, User


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user {email!r}")
    return user


def _factory(code: str) -> Factory:
    factory = db.session.scalar(select(Factory).where(Factory.code == code))
    if factory is None:
        raise click.ClickException(f"unknown factory {code!r}")
    return factory


@click.group("tokens")
def tokens() -> None:
    """API bearer tokens (stored hashed; shown once)."""


@tokens.command("create")
@click.option("--email", required=True)
@click.option("--name", default="api", show_default=True, help="what the token is for")
def tokens_create(email, name):
    """Make a token for a user and print it, once: it cannot be shown again."""
    from grievance.access.tokens import create_token

    user = _user(email)
    if not user.active:
        raise click.ClickException(f"user {user.email} is deactivated")
    token, raw = create_token(user, name)
    db.session.commit()
    click.echo(raw)
    click.echo(f"token {token.prefix}… for {user.email} ({name}); keep it now, it is stored only hashed", err=True)


@tokens.command("revoke")
@click.option("--email", required=True)
@click.option("--prefix", help="only the token shown with this prefix (default: all of hers)")
def tokens_revoke(email, prefix):
    """Revoke a user's tokens: they stop working at once."""
    from grievance.access.tokens import revoke_tokens

    count = revoke_tokens(_user(email), prefix)
    db.session.commit()
    click.echo(f"{count} token(s) revoked")


@tokens.command("list")
@click.option("--email", required=True)
def tokens_list(email):
    """A user's tokens, by prefix (never the token itself)."""
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == _user(email).id)
                                    .order_by(ApiToken.id)):
        state = "revoked" if token.revoked_at else f"last used {token.last_used_at or 'never'}"
        click.echo(f"{token.prefix}…  {token.name}  created {token.created_at:%Y-%m-%d}  {state}")


@click.group("grants")
def grants() -> None:
    """Which buyers' organisations a factory lets see its follow-up summaries."""


@grants.command("add")
@click.option("--factory", "factory_code", required=True)
@click.option("--buyer", required=True, help="the organisation's name or code")
def grants_add(factory_code, buyer):
    """The factory grants the organisation access (made if it is new)."""
    from grievance.access.grants import grant, organisation_for

    factory, organisation = _factory(factory_code), organisation_for(buyer)
    grant(factory, organisation, by=None)
    db.session.commit()
    click.echo(f"{factory.code} grants {organisation.name} ({organisation.code}) access to its summaries")


@grants.command("revoke")
@click.option("--factory", "factory_code", required=True)
@click.option("--buyer", required=True, help="the organisation's name or code")
def grants_revoke(factory_code, buyer):
    """The organisation's access to the factory's summaries ends now."""
    from grievance.access.grants import find_organisation, revoke

    factory, organisation = _factory(factory_code), find_organisation(buyer)
    if organisation is None or not revoke(factory, organisation, by=None):
        raise click.ClickException(f"{factory.code} grants {buyer!r} no access")
    db.session.commit()
    click.echo(f"{factory.code} no longer grants {organisation.name} access")
