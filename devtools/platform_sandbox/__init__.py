"""A local stand-in for the social platforms' APIs, for development and tests only.

Each platform module (``meta``, ``youtube``, ``x``, ``linkedin``, ``mastodon``) implements the
documented endpoints GovSocial's connectors call, with the platforms' own response shapes, error
codes and rate-limit answers, and keeps state (a hidden comment reads back hidden). Control
endpoints under ``/_sandbox/`` let a test or a developer create comments and messages, which the
sandbox then delivers to GovSocial as the platform's signed webhook. See docs/platforms.md.
"""
