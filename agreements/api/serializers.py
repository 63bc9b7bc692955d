"""How the agreements app's rows read over the API. Writes go through the pages' forms (``core.api.viewsets``); these
serializers only say what a row looks like, with related rows named by their codes."""

from rest_framework import serializers

from agreements.models import Customer, Service


class UserNameField(serializers.SlugRelatedField):
    """A person, named by the name they sign in with."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", read_only=True, **kwargs)


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "contact_name",
            "contact_email",
            "contact_phone",
            "language",
            "email_domains",
            "notes",
            "created_at",
        ]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer):
    owner = UserNameField(allow_null=True)

    class Meta:
        model = Service
        fields = ["code", "name", "description", "owner", "criticality", "status", "created_at"]
        read_only_fields = fields
