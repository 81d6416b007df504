-- The rooms application services publish in their networks' room lists (/directory/list/appservice/{networkId}/{roomId}),
-- apart from the server's own directory (rooms.is_public): /publicRooms lists them per third_party_instance_id.
CREATE TABLE appservice_room_list (
    appservice_id TEXT NOT NULL,
    network_id TEXT NOT NULL,
    room_id TEXT NOT NULL,
    PRIMARY KEY (appservice_id, network_id, room_id)
);
CREATE INDEX appservice_room_list_room ON appservice_room_list(room_id);
