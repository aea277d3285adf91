-- What a receiver answered that a later delivery needs: WeCom's
-- response_code for an approval card, which update_template_card consumes
-- when the card's task closes (valid 72 hours, once). Not a credential:
-- the update also needs the app's access token, which lives in memory only.
ALTER TABLE notification_outbox ADD COLUMN receipt text NOT NULL DEFAULT '';
